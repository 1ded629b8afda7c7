"""The agent's pages: the workbench form and the statistics, served with their local assets."""
