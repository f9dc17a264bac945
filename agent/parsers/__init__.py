"""Pure parsers: text or bytes in, typed values out. They never run commands or open files."""
