package com.example.common.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Generated input for property checks, from one seed: a run prints its seed, and {@code
 * -Dreliability.seed=N} replays exactly the same inputs. {@link #check} runs a property over many
 * generated cases and fails with every failing case (up to 10) and the seed.
 */
public final class RandomInput {

  private final long seed;
  private final Random random;

  private RandomInput(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /** From {@code -Dreliability.seed} when set, else a fresh seed. */
  public static RandomInput seeded() {
    String fixed = System.getProperty("reliability.seed");
    return new RandomInput(fixed != null ? Long.parseLong(fixed) : new Random().nextLong());
  }

  public long seed() {
    return seed;
  }

  public int between(int min, int max) {
    return min + random.nextInt(max - min + 1);
  }

  @SafeVarargs
  public final <T> T oneOf(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  public <T> T oneOf(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }

  /** One of the suppliers, each drawn with its weight: pairs of (Integer weight, Supplier). */
  @SuppressWarnings("unchecked")
  public <T> T weighted(Object... weightsAndSuppliers) {
    int total = 0;
    for (int i = 0; i < weightsAndSuppliers.length; i += 2) {
      total += (Integer) weightsAndSuppliers[i];
    }
    int pick = random.nextInt(total);
    for (int i = 0; i < weightsAndSuppliers.length; i += 2) {
      pick -= (Integer) weightsAndSuppliers[i];
      if (pick < 0) {
        return ((Supplier<T>) weightsAndSuppliers[i + 1]).get();
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /** Characters from {@code first} to {@code last}, length {@code min}..{@code max}. */
  /**
   * An HTTP method: standard, WebDAV, wrong case, malformed or empty (3 in 4), or random capitals.
   */
  public String httpMethod() {
    return weighted(
        3,
        (java.util.function.Supplier<String>)
            () ->
                oneOf(
                    "GET",
                    "HEAD",
                    "POST",
                    "PUT",
                    "DELETE",
                    "PATCH",
                    "OPTIONS",
                    "TRACE",
                    "CONNECT",
                    "PROPFIND",
                    "get",
                    "G@T",
                    ""),
        1,
        (java.util.function.Supplier<String>) () -> string('A', 'Z', 1, 12));
  }

  public String string(char first, char last, int min, int max) {
    int length = between(min, max);
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) (first + random.nextInt(last - first + 1)));
    }
    return text.toString();
  }

  /**
   * Any text: ASCII controls, printable ASCII, Latin-1, other scripts, emoji (surrogate pairs) and
   * lone surrogates, length 0..{@code max}.
   */
  public String anyText(int max) {
    int length = between(0, max);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(6)) {
        case 0 -> text.append((char) random.nextInt(0x20));
        case 1, 2 -> text.append((char) (0x20 + random.nextInt(0x5f)));
        case 3 -> text.append((char) (0x80 + random.nextInt(0x80)));
        case 4 -> text.append((char) (0x100 + random.nextInt(0xD700 - 0x100)));
        default ->
            text.appendCodePoint(
                random.nextBoolean()
                    ? 0x1F600 + random.nextInt(0x50)
                    : 0xD800 + random.nextInt(0x800));
      }
    }
    return text.toString();
  }

  public <T> List<T> listOf(int min, int max, Supplier<T> element) {
    int size = between(min, max);
    List<T> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      list.add(element.get());
    }
    return list;
  }

  /**
   * Runs {@code property} on {@code tries} generated cases; fails listing the failing cases (the
   * first 10, each with its error) and the seed that reproduces them.
   */
  public <T> void check(String name, int tries, Supplier<T> generator, Consumer<T> property) {
    List<String> failures = new ArrayList<>();
    int failed = 0;
    for (int i = 0; i < tries; i++) {
      T input = generator.get();
      try {
        property.accept(input);
      } catch (AssertionError | RuntimeException e) {
        failed++;
        if (failures.size() < 10) {
          failures.add("  case " + i + ": " + shorten(String.valueOf(input)) + "\n    " + e);
        }
      }
    }
    System.out.println(
        "[property] " + name + ": " + tries + " cases, " + failed + " failed, seed " + seed);
    if (failed > 0) {
      throw new AssertionError(
          name
              + ": "
              + failed
              + " of "
              + tries
              + " cases failed (replay with -Dreliability.seed="
              + seed
              + "):\n"
              + String.join("\n", failures));
    }
  }

  /** Printable: controls, non-ASCII and surrogates as \\uXXXX escapes; long text cut. */
  private static String shorten(String text) {
    StringBuilder shown = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c >= 0x20 && c < 0x7f) {
        shown.append(c);
      } else {
        shown.append(String.format("\\u%04x", (int) c));
      }
    }
    return shown.length() <= 300
        ? shown.toString()
        : shown.substring(0, 300) + "...(" + shown.length() + ")";
  }
}
