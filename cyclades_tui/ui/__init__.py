"""The Textual interface: screens mirroring the « Mon établissement » menu."""
