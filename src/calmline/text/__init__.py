"""Word rules shared by the phrase rules (`calmline.signals.text`) and the linear models'
tokenizer (`calmline.models.features`)."""
