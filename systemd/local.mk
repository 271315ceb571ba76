## filled below
