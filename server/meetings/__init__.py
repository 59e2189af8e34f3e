"""The shell of boards and meetings: tables, the meeting write path, HTTP and WebSocket.

A meeting is an event stream of its own, like a room (``docs/meetings.md``); each agenda
item for decision or discussion deliberates in a room of today's kind, which the meeting
keeps told of its quorum and its conflicted members.
"""
