"""Analysis: the paper's tables and figures from run directories, ours beside the paper's.

Pure functions over run directories (read only through analysis.loader) and results/reference/.
"""
