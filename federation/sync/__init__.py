"""Federation sync: nodes follow each other's signed logs over HTTP — verified, resumable, once."""
