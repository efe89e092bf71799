"""Sub-commands of ``call-companion``; each module registers its own parser."""
