"""Builds an ONNX graph of the all-MiniLM-L6-v2 encoder straight from its safetensors weights.

Why build it ourselves: exporting with torch would make torch a dependency (a user's pip would
fetch a several-gigabyte CUDA build), and no ONNX file of the model is on a registry. The graph is
the BERT encoder: embeddings, six layers of self-attention and feed-forward, each followed by a
layer norm. Pooling happens outside, in numpy. The graph's inputs are `input_ids` [B, T],
`position_ids` [T] and `attn_bias` [B, 1, 1, T] (0 for a token, -1e9 for padding); its output is
`hidden` [B, T, 384].
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


class _GraphBuilder:
    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], **attrs: Any) -> str:
        from onnx import helper

        out = f"{kind}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def dense(self, x: str, name: str, weight: np.ndarray, bias: np.ndarray) -> str:
        return self.op("Add", [self.op("MatMul", [x, self.const(name + ".w", weight.T)]),
                               self.const(name + ".b", bias)])

    def norm(self, x: str, name: str, weights: dict[str, np.ndarray], eps: float) -> str:
        return self.op("LayerNormalization", [x, self.const(name + ".g", weights[name + ".weight"]),
                                              self.const(name + ".beta", weights[name + ".bias"])],
                       axis=-1, epsilon=eps)


def build_minilm_onnx(directory: Path, out: Path) -> None:
    """Write the fp32 ONNX encoder for the model in `directory` to `out`."""
    import onnx
    from onnx import TensorProto, helper
    from safetensors.numpy import load_file

    config = json.loads((directory / "config.json").read_text())
    heads, hidden = int(config["num_attention_heads"]), int(config["hidden_size"])
    size, eps = hidden // heads, float(config["layer_norm_eps"])
    w = {k.removeprefix("bert."): v.astype(np.float32)
         for k, v in load_file(str(directory / "model.safetensors")).items()}
    g = _GraphBuilder()
    x = g.op("Add", [g.op("Gather", [g.const("word", w["embeddings.word_embeddings.weight"]), "input_ids"]),
                     g.op("Gather", [g.const("pos", w["embeddings.position_embeddings.weight"]),
                                     "position_ids"])])
    x = g.op("Add", [x, g.const("type0", w["embeddings.token_type_embeddings.weight"][0])])
    x = g.norm(x, "embeddings.LayerNorm", w, eps)
    split_heads = g.const("shape4", np.array([0, 0, heads, size], dtype=np.int64))
    join_heads = g.const("shape3", np.array([0, 0, hidden], dtype=np.int64))
    scale = g.const("scale", np.array(1.0 / np.sqrt(size), dtype=np.float32))
    half, one = g.const("half", np.array(0.5, np.float32)), g.const("one", np.array(1.0, np.float32))
    root_half = g.const("root_half", np.array(1.0 / np.sqrt(2.0), dtype=np.float32))
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        a = p + "attention."
        q, k, v = (g.op("Reshape", [g.dense(x, a + f"self.{n}", w[a + f"self.{n}.weight"],
                                            w[a + f"self.{n}.bias"]), split_heads])
                   for n in ("query", "key", "value"))
        scores = g.op("MatMul", [g.op("Transpose", [q], perm=[0, 2, 1, 3]),
                                 g.op("Transpose", [k], perm=[0, 2, 3, 1])])
        scores = g.op("Softmax", [g.op("Add", [g.op("Mul", [scores, scale]), "attn_bias"])], axis=-1)
        context = g.op("MatMul", [scores, g.op("Transpose", [v], perm=[0, 2, 1, 3])])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), join_heads])
        attended = g.dense(context, a + "output.dense", w[a + "output.dense.weight"],
                           w[a + "output.dense.bias"])
        x = g.norm(g.op("Add", [x, attended]), a + "output.LayerNorm", w, eps)
        up = g.dense(x, p + "intermediate.dense", w[p + "intermediate.dense.weight"],
                     w[p + "intermediate.dense.bias"])
        # BERT's exact gelu: 0.5 · x · (1 + erf(x / √2))
        gelu = g.op("Mul", [g.op("Mul", [g.op("Add", [g.op("Erf", [g.op("Mul", [up, root_half])]), one]),
                                         up]), half])
        down = g.dense(gelu, p + "output.dense", w[p + "output.dense.weight"], w[p + "output.dense.bias"])
        x = g.norm(g.op("Add", [x, down]), p + "output.LayerNorm", w, eps)
    g.nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        g.nodes, "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["B", "T"]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["T"]),
         helper.make_tensor_value_info("attn_bias", TensorProto.FLOAT, ["B", 1, 1, "T"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["B", "T", hidden])],
        g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(out))
