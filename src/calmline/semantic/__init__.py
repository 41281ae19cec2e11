"""The semantic tier: sentence embeddings compared with the playbook's example sentences.

Optional at run time: without the model package or onnxruntime, calmline reads with its fast path
(lexicon and linear models) and says so in every analysis's notes.
"""
