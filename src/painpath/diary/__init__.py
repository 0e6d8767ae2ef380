"""Daily check-in: pain now and on average, a body map, qualities, sleep, mood, activity."""
