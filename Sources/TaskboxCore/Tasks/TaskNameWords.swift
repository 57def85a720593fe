/// Word lists for fallback task names (tasks-api.md §3.2). Our own lists in the spirit
/// of Docker's container names: lower-case ASCII only, so every pair passes NameValid.
/// `boring` and `wozniak` are both here so the one excluded pair stays a real rule.
enum TaskNameWords {
    static let adjectives = [
        "admiring", "agile", "amused", "ardent", "boring", "brave", "bright", "busy",
        "calm", "candid", "cheerful", "clever", "cosmic", "curious", "daring", "dazzling",
        "diligent", "eager", "earnest", "elated", "eloquent", "fearless", "focused", "friendly",
        "gallant", "gentle", "gleeful", "graceful", "happy", "hopeful", "humble", "inspired",
        "jolly", "jovial", "keen", "kind", "lively", "lucid", "mellow", "merry",
        "mindful", "modest", "nifty", "nimble", "noble", "patient", "peaceful", "playful",
        "plucky", "quiet", "quirky", "radiant", "relaxed", "resolute", "serene", "sharp",
        "sincere", "spirited", "steady", "stupefied", "sunny", "tender", "thoughtful", "tranquil",
        "upbeat", "vibrant", "vigilant", "witty", "zealous",
    ]

    /// Scientists and engineers.
    static let surnames = [
        "babbage", "backus", "bardeen", "bohr", "bose", "brahe", "carson", "cerf",
        "chandrasekhar", "clarke", "copernicus", "curie", "darwin", "dijkstra", "dirac", "einstein",
        "engelbart", "faraday", "fermi", "feynman", "franklin", "galilei", "goldwasser", "goodall",
        "hamilton", "hamming", "hawking", "heisenberg", "hodgkin", "hollerith", "hopper", "hubble",
        "jackson", "johnson", "kahn", "kay", "kepler", "kernighan", "kilby", "knuth",
        "lamport", "leavitt", "liskov", "lovelace", "maxwell", "mcclintock", "meitner", "mendel",
        "minsky", "newton", "noether", "noyce", "pasteur", "pauli", "payne", "raman",
        "ramanujan", "ritchie", "rubin", "sagan", "schrodinger", "shannon", "thompson", "turing",
        "vaughan", "wilkes", "wozniak", "zuse",
    ]
}
