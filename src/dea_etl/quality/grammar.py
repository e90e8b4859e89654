"""The DQDL grammar (lark, LALR); the rule types' signatures live in :mod:`dea_etl.quality.registry`.

Written for dea-etl from the AWS DQDL reference and AWS's published DQDL grammar (awslabs/dqdl,
``DataQualityDefinitionLanguage.g4``). A document is, in this order: an optional ``Metadata = {...}`` and
``DataSources = {...}``, constants (``name = "text"`` or ``name = ["a", "b"]``), an optional
``DefaultLabels = ["key"="value", ...]``, then ``Rules = [ ... ]`` and / or ``Analyzers = [ ... ]``; ``#``
starts a comment. A rule is ``RuleType [of] "param"|column|$constant ... [condition] [where "<sql>"]
[labels = [...]] [with tag <condition>]...``; numbers may be arithmetic (``10 + 10``, ``(2 * 3)``) or
dynamic (``avg(last(10)) * 0.8``); rules combine with ``and`` / ``or`` (or ``AND`` / ``OR``; ``and`` binds
tighter), a parenthesised rule or composite may carry ``labels = [...]``.

``and`` between two parameters (``ColumnCorrelation of "a" and "b"``) joins them when a quoted string or a
``$constant`` follows it; before a rule type or ``(`` it combines rules.
"""

from __future__ import annotations

GRAMMAR = r"""
start: [metadata] [data_sources] constant* [default_labels] sections

metadata: _METADATA "=" dictionary
data_sources: _DATASOURCES "=" dictionary
dictionary: "{" [pair ("," pair)*] "}"
pair: STRING ":" pair_value
pair_value: STRING -> meta_text
          | "[" STRING ("," STRING)* "]" -> meta_texts

constant: NAME "=" constant_value
?constant_value: text_value
               | "[" text_value ("," text_value)* "]" -> constant_list
?text_value: STRING -> string
           | KEYWORD -> keyword
           | VAR -> reference

default_labels: _DEFAULTLABELS "=" label_list
labels: _LABELS "=" label_list
label_list: "[" [label ("," label)*] "]"
label: STRING "=" STRING

sections: rules_section [analyzers_section] | analyzers_section
rules_section: _RULES "=" "[" [rule_expr ("," rule_expr)*] "]"
analyzers_section: _ANALYZERS "=" "[" [analyzer ("," analyzer)*] "]"

?rule_expr: or_chain
?or_chain: and_chain | or_chain _OR and_chain -> or_rule
?and_chain: operand | and_chain _AND operand -> and_rule
?operand: dq_rule | group
group: "(" rule_expr ")" [labels]

dq_rule: NAME param* [condition] [where] [labels] tag*
analyzer: NAME param*
param: [_OF | _JOIN] (STRING | COLUMN | VAR)
where: _WHERE STRING
tag: _WITH NAME condition

condition: COMP_OP value                           -> compare
         | [NOT] _BETWEEN value _AND value         -> between
         | [NOT] _IN (value_list | VAR)            -> in_list
         | [NOT] _MATCHES STRING                   -> matches

value_list: "[" value ("," value)* "]"
?value: num_expr
      | STRING          -> string
      | KEYWORD         -> keyword
      | VAR             -> reference
      | date_expr
      | duration
      | NUMBER SIZE_UNIT -> size
      | value_list

// a number, arithmetic (10 + 10, folded when constant) or a dynamic operand: avg(last(10)) * 0.8
// (dea_etl.quality.dynamic)
?num_expr: num_term | num_expr SIGN num_term -> dyn_bin
?num_term: num_atom | num_term MUL_OP num_atom -> dyn_bin
?num_atom: NUMBER -> number
         | SIGN num_atom -> signed
         | NAME "(" [num_expr ("," num_expr)*] ")" -> dyn_call
         | "(" num_expr ")"

date_expr: _NOW "(" ")"                                 -> now
         | "(" _NOW "(" ")" SIGN duration ")"           -> now_offset
duration: NUMBER UNIT

COMP_OP: ">=" | "<=" | "!=" | "=" | ">" | "<"
SIGN: "+" | "-"
MUL_OP: "*" | "/"
_METADATA.5: /Metadata\b/
_DATASOURCES.5: /DataSources\b/
_DEFAULTLABELS.5: /DefaultLabels\b/
_RULES.5: /Rules\b/
_ANALYZERS.5: /Analyzers\b/
SIZE_UNIT.3: /(B|KB|MB|GB|TB)\b/
_NOW.3: /now\b/
_JOIN.4: /(and|AND)(?=\s+["$])/
_AND.3: /(and|AND)\b/
_OR.3: /(or|OR)\b/
_OF.3: /(of|OF)\b/
_WHERE.3: /where\b/
_WITH.3: /with\b/
_LABELS.3: /labels\b/
_BETWEEN.3: /between\b/
_IN.3: /in\b/
_MATCHES.3: /matches\b/
NOT.3: /not\b/
KEYWORD.3: /(NULL|EMPTY|WHITESPACES_ONLY|null|empty|whitespaces_only)\b/
UNIT.3: /(days|hours|minutes)\b/
NAME.2: /[A-Za-z_][A-Za-z0-9_]*/
COLUMN: /(?!(and|AND|or|OR|of|OF|where|with|labels|between|in|matches|not)\b)[A-Za-z0-9_.]+/
VAR: /\$[A-Za-z0-9_.]+/
STRING: /"(\\.|[^"\\\n])*"/
NUMBER: /(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?/
COMMENT: /#[^\n]*/

%import common.WS
%ignore WS
%ignore COMMENT
"""

#: Human words for the grammar's terminals, used in syntax-error messages.
TERMINAL_WORDS: dict[str, str] = {
    "NAME": "a rule type",
    "STRING": 'a quoted string ("...")',
    "NUMBER": "a number",
    "COMP_OP": "a comparison (= != > >= < <=)",
    "SIGN": "+ or -",
    "MUL_OP": "* or /",
    "NOT": "not",
    "COLUMN": "a column name",
    "VAR": "a $constant",
    "_NOW": "now",
    "_AND": "and",
    "_JOIN": "and",
    "_OR": "or",
    "_OF": "of",
    "_WHERE": "where",
    "_WITH": "with",
    "_LABELS": "labels",
    "_BETWEEN": "between",
    "_IN": "in",
    "_MATCHES": "matches",
    "KEYWORD": "NULL, EMPTY or WHITESPACES_ONLY",
    "UNIT": "days, hours or minutes",
    "SIZE_UNIT": "B, KB, MB, GB or TB",
    "_METADATA": "Metadata",
    "_DATASOURCES": "DataSources",
    "_DEFAULTLABELS": "DefaultLabels",
    "_RULES": "Rules",
    "_ANALYZERS": "Analyzers",
    "$END": "end of input",
}
