"""lrplot's table of the library classes' arguments is what each installed library's say."""

from __future__ import annotations

import pytest

from lrplot.reference import installed_signatures, signatures_text
from lrplot.schedulers.facts import DEEPSPEED_SCHEDULERS, MMENGINE_SCHEDULERS, TIMM_SCHEDULERS
from lrplot.schedulers.registry import LIBRARIES, known_signature, scheduler_signature
from lrplot.schedulers.signatures import SIGNATURES
from tests.conftest import ROOT


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda library: library.name)
def test_the_table_holds_the_installed_librarys_signatures(library: object) -> None:
    from lrplot.schedulers.registry import _Library

    assert isinstance(library, _Library)
    pytest.importorskip(library.prefix.rstrip("."))
    classes = library.classes()
    assert set(classes) == set(library.known)
    for name, maker in classes.items():
        assert known_signature(name) == scheduler_signature(maker), name


def test_the_table_knows_every_class_of_the_facts() -> None:
    assert set(SIGNATURES) == {*DEEPSPEED_SCHEDULERS, *MMENGINE_SCHEDULERS, *TIMM_SCHEDULERS}


def test_the_table_is_as_update_signatures_writes_it() -> None:
    path = ROOT / "lrplot" / "schedulers" / "signatures.py"
    assert path.read_text() == signatures_text(installed_signatures()), (
        "run: python -c 'from lrplot.reference import update_signatures; update_signatures()'"
    )
