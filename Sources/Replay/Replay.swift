// Replay: deterministic training, evaluation and bitwise replay of archived runs (issue 4).
// Priorities: 1. bit-identical replay 2. readable against the paper 3. speed.
// Not built yet; its test target is added with its first code.
