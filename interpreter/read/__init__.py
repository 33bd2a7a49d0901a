"""Readers: a message in the form a seller or a tool has it -> an envelope (policies/message.schema.json)."""
