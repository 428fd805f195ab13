"""Company profiles in Slack: the list and the editor (listeners.py, views.py), and their place in
request forms (form.py)."""
