"""The municipalities one deployment serves: one folder each under content/municipalities/.

Pure: no Rasa. The action server, the Rasa server's channels, the review console and the
retention sweep all read the same folders through `catalogue.load()`.
"""
