"""The interpreter: message -> facts; facts + compiled policy -> report. Imports only `dsl.contract`.

    read/         message files, e-mails, mboxes, JSONL and SP-API bodies -> envelopes
    facts/        envelope -> normalised facts: HTML and CSS, text finders, links, language, spelling
    evaluation/   compiled policy -> lowered program; program + facts -> report, with evidence
"""
