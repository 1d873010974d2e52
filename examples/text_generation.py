"""
A character-level language model: the course's "hello" network
================================================================

The course trains a recurrent network on the sequence "hello" over the
vocabulary [h, e, l, o] and, at test time, samples one character at a time,
feeding each back as the next input. ``CharRNN`` does exactly that, then
learns a real paragraph and measures itself in perplexity per character.
"""

# %%
import time

from skdeep import CharRNN
from skdeep.datasets import load_course_text

hello = CharRNN(units=16, learning_rate_init=0.05, max_iter=60, random_state=0).fit("hello")
print("vocabulary:", hello.vocabulary_.tolist())
print("greedy sample from 'h':", hello.sample("h", n_chars=4, temperature=0))
proba = hello.predict_proba("hel")[0]
print("next-character probabilities after 'hel':",
      {str(c): round(float(p), 3) for c, p in zip(hello.vocabulary_, proba)})

# %%
# A real paragraph: learn the first 80 %, measure on the unseen last 20 %.
# Early stopping holds out the end of the training text.
text = load_course_text()
cut = int(len(text) * 0.8)
start = time.perf_counter()
lm = CharRNN(units=64, early_stopping=True, random_state=0).fit(text[:cut])
print(f"\n{len(lm.vocabulary_)} characters in the vocabulary, {lm.n_iter_} epochs, "
      f"{time.perf_counter() - start:.0f} s")
print(f"perplexity per character: training text {lm.perplexity(text[:cut]):.1f}, "
      f"unseen text {lm.perplexity(text[cut:]):.1f} "
      f"(knowing nothing would be {len(lm.vocabulary_)})")

# %%
# Temperature: 0 is greedy, small values are cautious, 1 samples the model.
for temperature in (0, 0.5, 1.0):
    print(f"T={temperature}: {lm.sample('a network ', 80, temperature, random_state=0)!r}")
