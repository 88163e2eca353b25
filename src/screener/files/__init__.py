"""Reading the files a user names, with limits; writing outputs atomically, never over an input."""
