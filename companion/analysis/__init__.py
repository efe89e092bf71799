"""Reading a call: sentiment, the de-escalation playbook, the coach that folds events."""
