"""Citizens: their demands, the voice channels carry, and how well the legislature answers them."""
