"""The fast path's linear text models: features, training (`make models`) and scoring; the gzip JSON
artefact format every trained model ships in (`artifact_json`), what keeps retraining byte for byte
reproducible (`reproducible`), and the comparison `make models-check` prints (`check`)."""
