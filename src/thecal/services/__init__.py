"""Use cases over the pure core; ports are Protocols, adapters implement them."""
