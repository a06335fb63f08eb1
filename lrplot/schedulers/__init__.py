"""What lrplot knows of torch's and transformers' schedulers: registry, facts, custom classes."""
