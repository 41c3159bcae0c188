"""Reading a saved page: decode its bytes, parse it into blocks, clean the blocks."""
