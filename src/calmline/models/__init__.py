"""The fast path's linear text models: features, training (`make models`) and scoring."""
