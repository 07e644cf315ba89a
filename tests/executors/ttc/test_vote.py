"""Majority and weighted voting over extracted answers, with the deterministic tie-break."""

from __future__ import annotations

from graftml.executors.ttc import Candidate, majority_vote


def cands(*answers: str | None, scores: tuple[float | None, ...] = ()) -> list[Candidate]:
    scores = scores or (None,) * len(answers)
    return [Candidate(i, f"text {a}", a, score=s)
            for i, (a, s) in enumerate(zip(answers, scores, strict=True))]


def test_the_most_frequent_answer_wins_and_is_carried_by_its_first_candidate() -> None:
    vote = majority_vote(cands("3", "5", "5", "3", "5"))
    assert (vote.answer, vote.chosen, vote.tally) == ("5", 1, {"3": 2.0, "5": 3.0})


def test_candidates_without_an_answer_do_not_vote() -> None:
    vote = majority_vote(cands(None, None, "4"))
    assert (vote.answer, vote.chosen, vote.tally) == ("4", 2, {"4": 1.0})


def test_no_answer_at_all_elects_nothing_and_keeps_the_first_candidate() -> None:
    vote = majority_vote(cands(None, None))
    assert (vote.answer, vote.chosen, vote.tally) == (None, 0, {})


def test_a_tie_goes_to_the_answer_sampled_first() -> None:
    assert majority_vote(cands("7", "2", "2", "7")).answer == "7"
    assert majority_vote(cands("2", "7", "7", "2")).answer == "2"


def test_a_tie_in_count_goes_to_the_higher_summed_score_first() -> None:
    vote = majority_vote(cands("7", "2", "2", "7", scores=(0.1, 0.5, 0.4, 0.1)))
    assert vote.answer == "2"


def test_weighted_votes_count_scores_and_the_best_scored_holder_carries_the_answer() -> None:
    candidates = cands("1", "1", "9", scores=(0.2, 0.3, 0.9))
    plain, weighted = majority_vote(candidates), majority_vote(candidates, weighted=True)
    assert plain.answer == "1"
    assert (weighted.answer, weighted.chosen) == ("9", 2)
    assert weighted.tally == {"1": 0.5, "9": 0.9}


def test_weighted_votes_count_missing_and_negative_scores_as_zero() -> None:
    vote = majority_vote(cands("1", "2", "2", scores=(0.1, None, -3.0)), weighted=True)
    assert vote.tally == {"1": 0.1, "2": 0.0}
    assert vote.answer == "1"


def test_the_vote_is_independent_of_equal_answers_text() -> None:
    candidates = [Candidate(0, "The answer is 5.", "5"), Candidate(1, "so 5", "5"),
                  Candidate(2, "The answer is 6.", "6")]
    assert majority_vote(candidates).tally == {"5": 2.0, "6": 1.0}
