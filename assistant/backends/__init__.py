"""The assistant's two backends: the archive reader (retrieval over read lines) and a vision-language model.

Neither imports Django: the services turn archive rows and uploads into `Passage`s and call these functions.
"""
