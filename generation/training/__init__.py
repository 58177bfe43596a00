"""Training of the embedded demo model: a tiny Kandinsky-2.2-shaped prior + decoder on synthetic coloured shapes."""
