import pytest

from fourierlens import ExportError, addition_prompts, find_number_tokens, number_prompts


def test_minilm_keeps_0_to_341_as_single_tokens(minilm):
    _, tokenizer = minilm
    found = find_number_tokens(tokenizer, range(0, 1000))
    assert found.contiguous_max == 341
    assert found.values[:342] == list(range(342))
    assert 342 not in found.values
    for value, token_id, text in zip(found.values[:342], found.ids, found.strings):
        assert tokenizer.convert_ids_to_tokens(token_id) == text == str(value)


def test_restrict_refuses_numbers_that_are_not_single_tokens(minilm):
    _, tokenizer = minilm
    found = find_number_tokens(tokenizer, range(0, 400))
    with pytest.raises(ExportError, match=r"not single tokens: 342, 346, .* \(this tokenizer keeps 0..341 whole\)"):
        found.restrict(range(0, 400))


def test_addition_prompts_follow_the_paper_templates():
    prompts = addition_prompts(count=10, max_operand=50, seed=3)
    assert len(prompts) == 10
    assert prompts[0].text.startswith("Put together ") and prompts[3].text.startswith("Calculate ")
    for p in prompts:
        assert p.answer == p.value and 0 <= p.answer <= 100
    assert addition_prompts(count=10, max_operand=50, seed=3) == prompts


def test_number_prompts_need_a_slot():
    assert number_prompts("I saw {n} cats.", [3])[0].text == "I saw 3 cats."
    with pytest.raises(ExportError, match="slot"):
        number_prompts("no slot here", [1])
