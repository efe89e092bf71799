"""Rewriting the encoder's graph so onnxruntime keeps its weights int8.

The shipped model stores each weight as int8 with a float scale and turns it
back into float32 inside the graph (``Cast`` then ``Mul``).  onnxruntime folds
those constants at load, so it holds every weight as float32 (90 MB, and as
much again in temporaries) and streams 42 MB of them from memory for every
sentence.  Two rewrites avoid that:

* an embedding table is read row by row (``Gather``), so the rows a sentence
  uses are gathered int8 and scaled afterwards: the same numbers exactly;
* a weight multiplied into the hidden states (``MatMul``) becomes
  ``DynamicQuantizeMatMul`` (an onnxruntime contrib operator): the int8 weight
  with its per-column scale, times the hidden states quantized to uint8 per
  call.  That changes the vectors slightly (cosine 0.99 to the float ones), so
  the reader's layers are trained on vectors made this way.

The model is read with ``protobuf`` (an onnxruntime dependency) through a
description of the few ONNX fields touched here; every other field is kept as
it came, as an unknown field.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_INT8 = 3  # onnx.TensorProto.INT8
_FLOAT = 1  # onnx.TensorProto.FLOAT
_ATTRIBUTE_INT = 2  # onnx.AttributeProto.INT
_CONTRIB = "com.microsoft"

# (message, [(field, number, type, repeated, message type)]): the ONNX fields (onnx.proto) used here.
_FIELDS = {
    "TensorProto": [
        ("dims", 1, "int64", True, ""),
        ("data_type", 2, "int32", False, ""),
        ("name", 8, "string", False, ""),
        ("raw_data", 9, "bytes", False, ""),
    ],
    "AttributeProto": [
        ("name", 1, "string", False, ""),
        ("i", 3, "int64", False, ""),
        ("type", 20, "int32", False, ""),
    ],
    "NodeProto": [
        ("input", 1, "string", True, ""),
        ("output", 2, "string", True, ""),
        ("name", 3, "string", False, ""),
        ("op_type", 4, "string", False, ""),
        ("attribute", 5, "message", True, "AttributeProto"),
        ("domain", 7, "string", False, ""),
    ],
    "GraphProto": [("node", 1, "message", True, "NodeProto"), ("initializer", 5, "message", True, "TensorProto")],
    "OperatorSetIdProto": [("domain", 1, "string", False, ""), ("version", 2, "int64", False, "")],
    "ModelProto": [
        ("graph", 7, "message", False, "GraphProto"),
        ("opset_import", 8, "message", True, "OperatorSetIdProto"),
    ],
}


@functools.lru_cache(maxsize=1)
def _classes() -> tuple[Any, Any]:
    """The ModelProto and NodeProto message classes."""
    F = descriptor_pb2.FieldDescriptorProto
    kinds = {
        "int64": F.TYPE_INT64,
        "int32": F.TYPE_INT32,
        "string": F.TYPE_STRING,
        "bytes": F.TYPE_BYTES,
        "message": F.TYPE_MESSAGE,
    }
    # proto2: no UTF-8 checks on names and unknown fields kept, so what is not described survives a round trip.
    file = descriptor_pb2.FileDescriptorProto(name="companion_onnx_subset.proto", package="onnx", syntax="proto2")
    for message, fields in _FIELDS.items():
        proto = file.message_type.add(name=message)
        for name, number, kind, repeated, type_name in fields:
            field = proto.field.add(
                name=name, number=number, type=kinds[kind], label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL
            )
            if type_name:
                field.type_name = f".onnx.{type_name}"
            if repeated and kind == "int64":
                field.options.packed = False  # ONNX writes dims unpacked; a parser accepts both
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return tuple(
        message_factory.GetMessageClass(pool.FindMessageTypeByName(f"onnx.{m}")) for m in ("ModelProto", "NodeProto")
    )


def int8_weights(model_bytes: bytes, quantize_matmuls: bool = True) -> bytes:
    """The model with its int8 weights kept int8 (see the module's doc); unchanged if it has none.

    ``quantize_matmuls=False`` does only the exact rewrite (embedding tables).
    """
    model = _classes()[0]()
    model.ParseFromString(model_bytes)
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)

    replaced: dict[int, list[Any]] = {}
    removed: set[int] = set()
    for mul in graph.node:
        weight = _dequantized_weight(mul, producer, initializers)
        if weight is None:
            continue
        cast, quantized, scale = weight
        users = consumers[mul.output[0]]
        if users and all(u.op_type == "Gather" and u.input[0] == mul.output[0] for u in users):
            for gather in users:
                replaced[id(gather)] = _gather_then_scale(gather, quantized, scale)
        elif quantize_matmuls and users and all(u.op_type == "MatMul" and u.input[1] == mul.output[0] for u in users):
            per_column = _as_vector(initializers[scale], graph)
            if per_column is None:
                continue
            for matmul in users:
                replaced[id(matmul)] = [
                    _node(
                        "DynamicQuantizeMatMul",
                        [matmul.input[0], quantized, per_column],
                        list(matmul.output),
                        domain=_CONTRIB,
                        name=matmul.name,
                    )
                ]
        else:
            continue
        removed.update((id(cast), id(mul)))
    if not replaced:
        return model_bytes
    nodes = []
    for node in graph.node:
        if id(node) in replaced:
            nodes.extend(replaced[id(node)])
        elif id(node) not in removed:
            nodes.append(node)
    kept = [_classes()[1]() for _ in nodes]
    for copy, node in zip(kept, nodes, strict=True):
        copy.CopyFrom(node)
    del graph.node[:]
    graph.node.extend(kept)
    if quantize_matmuls and not any(o.domain == _CONTRIB for o in model.opset_import):
        model.opset_import.add(domain=_CONTRIB, version=1)
    return model.SerializeToString()


def _dequantized_weight(
    mul: Any, producer: dict[str, Any], initializers: dict[str, Any]
) -> tuple[Any, str, str] | None:
    """(the Cast, the int8 weight's name, the scale's name) if ``mul`` is ``Cast(int8 weight) * scale``."""
    if mul.op_type != "Mul" or mul.domain or len(mul.input) != 2:
        return None
    cast = producer.get(mul.input[0])
    scale = initializers.get(mul.input[1])
    if cast is None or cast.op_type != "Cast" or scale is None or scale.data_type != _FLOAT or not scale.raw_data:
        return None
    quantized = initializers.get(cast.input[0])
    if quantized is None or quantized.data_type != _INT8:
        return None
    return cast, quantized.name, scale.name


def _gather_then_scale(gather: Any, quantized: str, scale: str) -> list[Any]:
    # Scaling commutes with picking rows, so this gives the float rows bit for bit.
    out, indices = gather.output[0], gather.input[1]
    return [
        _node("Gather", [quantized, indices], [f"{out}.q"], axis=0),
        _node("Gather", [scale, indices], [f"{out}.scale"], axis=0),
        _node("Cast", [f"{out}.q"], [f"{out}.f"], to=_FLOAT),
        _node("Mul", [f"{out}.f", f"{out}.scale"], [out]),
    ]


def _as_vector(scale: Any, graph: Any) -> str | None:
    """A per-column scale of shape (1, N) as an (N,) initializer (what DynamicQuantizeMatMul takes)."""
    dims = list(scale.dims)
    if len(dims) != 2 or dims[0] != 1:
        return None
    vector = graph.initializer.add(name=f"{scale.name}.vector", data_type=_FLOAT, raw_data=scale.raw_data)
    vector.dims.append(dims[1])
    return vector.name


def _node(op_type: str, inputs: list[str], outputs: list[str], domain: str = "", name: str = "", **ints: int) -> Any:
    message = _classes()[1]()
    message.op_type = op_type
    message.input.extend(inputs)
    message.output.extend(outputs)
    if domain:
        message.domain = domain
    message.name = f"{name or outputs[0]}.int8"
    for key, value in ints.items():
        message.attribute.add(name=key, i=value, type=_ATTRIBUTE_INT)
    return message
