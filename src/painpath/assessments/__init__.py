"""Questionnaires: scored responses, schedules, reminders and flags."""
