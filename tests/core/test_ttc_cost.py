"""The Kinetics-style cost model: FLOPs and bytes of a call, from the registry's constants."""

from __future__ import annotations

import pytest

from graftml.llm.registry import get_model
from graftml.llm.types import Completion, GenerationResult, Usage
from graftml.testing.backends import toy_spec
from graftml.ttc.cost import H100_INTENSITY, CallShape, Cost, CostModel

MODEL = CostModel(parameters=1e6, kv_bytes_per_token=1024, weight_bytes=2e6)


def test_flops_count_linear_layers_and_attention_over_the_growing_context() -> None:
    shape = CallShape(prompt_tokens=10, prefills=1, completion_tokens=(4,))
    prefill = 2e6 * 10 + 2 * 512 * 55  # 1 + 2 + ... + 10 positions attended
    decode = 2e6 * 4 + 2 * 512 * (105 - 55)  # positions 11 .. 14
    assert MODEL.flops(shape) == prefill + decode


def test_bytes_count_weights_per_step_and_kv_reads_and_writes() -> None:
    shape = CallShape(prompt_tokens=10, prefills=1, completion_tokens=(4,))
    weights = 2e6 * (4 + 1)  # every decode step and the prefill read the weights
    kv = 1024 * ((10 + 11 + 12 + 13) + (10 + 4))  # contexts read, entries written
    assert MODEL.bytes_moved(shape) == weights + kv


def test_batched_samples_read_the_weights_once_per_step() -> None:
    batched = CallShape(10, 1, (4, 2, 6), batched=True)
    seeded = CallShape(10, 3, (4, 2, 6))
    assert MODEL.bytes_moved(seeded) - MODEL.bytes_moved(batched) == pytest.approx(
        2e6 * ((12 + 3) - (6 + 1)) + 1024 * 20)
    assert MODEL.flops(seeded) > MODEL.flops(batched)


def test_cached_prompt_tokens_are_not_recomputed() -> None:
    cold, warm = CallShape(10, 1, (4,)), CallShape(10, 1, (4,), cached_tokens=6)
    assert MODEL.flops(cold) - MODEL.flops(warm) == 2e6 * 6 + 2 * 512 * 21


def test_a_shape_is_read_from_a_result_with_an_even_split_when_samples_lack_counts() -> None:
    result = GenerationResult((Completion("a"), Completion("b")), Usage(20, 9), 0.1, "m",
                              calls=2)
    assert CallShape.of(result) == CallShape(10, 2, (4, 4))
    one_call = GenerationResult((Completion("a", completion_tokens=3),
                                 Completion("b", completion_tokens=6)), Usage(10, 9), 0.1, "m")
    assert CallShape.of(one_call, batched=True) == CallShape(10, 1, (3, 6), batched=True)


def test_weight_bytes_are_the_gguf_size_for_local_models_else_bf16() -> None:
    smollm2 = get_model("smollm2")
    assert CostModel.for_model(smollm2).weight_bytes == pytest.approx(98_362_432, rel=0.05)
    assert CostModel.for_model(toy_spec()).weight_bytes == 2e6
    assert CostModel.for_model(None) == CostModel(0.0, 0, 0.0)


def test_costs_add_and_fold_into_effective_flops() -> None:
    total = Cost(prompt_tokens=3, completion_tokens=2, flops=10.0, bytes_moved=1.0) + Cost(
        prompt_tokens=1, calls=1, latency_s=0.5, flops=5.0, bytes_moved=2.0)
    assert (total.total_tokens, total.calls, total.latency_s) == (6, 1, 0.5)
    assert total.effective_flops() == 15.0 + 3.0 * H100_INTENSITY
    assert total.to_dict()["total_tokens"] == 6
