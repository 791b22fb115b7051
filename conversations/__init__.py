"""The pure core: interview scripts, the interview state machine, drafting and the lens.

Imports neither Telegram nor SQL; time is always passed in.
"""
