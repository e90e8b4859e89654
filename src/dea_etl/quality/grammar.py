"""The DQDL grammar (lark, LALR); the rule types' signatures live in :mod:`dea_etl.quality.registry`.

Written for dea-etl from the AWS DQDL reference and the grammar Deequ's DQDL parser uses. A document is
an optional ``Metadata = {...}`` and ``DataSources = {...}``, then sections ``Rules = [ ... ]`` /
``Analyzers = [ ... ]``; ``#`` starts a comment. A rule is
``RuleType "param"|column ... [condition] [where "<sql>"] [with threshold|format <condition>]...``; numbers
may be arithmetic (``10 + 10``, ``(2 * 3)``); rules combine with ``and`` / ``or`` (or ``AND`` / ``OR``)
only inside parentheses (``and`` binds tighter than ``or``).
"""

from __future__ import annotations

GRAMMAR = r"""
start: [metadata] [data_sources] section+

metadata: "Metadata" "=" dictionary
data_sources: "DataSources" "=" dictionary
dictionary: "{" pair ("," pair)* "}"
pair: STRING ":" pair_value
pair_value: STRING -> meta_text
          | "[" STRING ("," STRING)* "]" -> meta_texts

?section: rules_section | analyzers_section
rules_section: "Rules" "=" "[" [rule_expr ("," rule_expr)*] "]"
analyzers_section: "Analyzers" "=" "[" [analyzer ("," analyzer)*] "]"

?rule_expr: dq_rule | or_chain
?or_chain: and_chain | or_chain _OR and_chain -> or_rule
?and_chain: group | and_chain _AND group -> and_rule
?group: "(" rule_expr ")"

dq_rule: NAME param* [condition] [where] tag*
analyzer: NAME param* [where]
?param: STRING | COLUMN
where: _WHERE STRING
tag: _WITH NAME condition

condition: COMP_OP value                           -> compare
         | [NOT] _BETWEEN value _AND value         -> between
         | [NOT] _IN "[" value ("," value)* "]"    -> in_list
         | [NOT] _MATCHES STRING                   -> matches

?value: num_expr
      | STRING          -> string
      | KEYWORD         -> keyword
      | date_expr
      | duration
      | NUMBER SIZE_UNIT -> size

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
SIZE_UNIT.3: /(B|KB|MB|GB|TB)\b/
_NOW.3: /now\b/
_AND.3: /(and|AND)\b/
_OR.3: /(or|OR)\b/
_WHERE.3: /where\b/
_WITH.3: /with\b/
_BETWEEN.3: /between\b/
_IN.3: /in\b/
_MATCHES.3: /matches\b/
NOT.3: /not\b/
KEYWORD.3: /(NULL|EMPTY|WHITESPACES_ONLY|null|empty|whitespaces_only)\b/
UNIT.3: /(days|hours|minutes)\b/
NAME.2: /[A-Za-z_][A-Za-z0-9_]*/
COLUMN: /(?!(and|AND|or|OR|where|with|between|in|matches|not)\b)[A-Za-z0-9_.]+/
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
    "_NOW": "now",
    "_AND": "and",
    "_OR": "or",
    "_WHERE": "where",
    "_WITH": "with",
    "_BETWEEN": "between",
    "_IN": "in",
    "_MATCHES": "matches",
    "KEYWORD": "NULL, EMPTY or WHITESPACES_ONLY",
    "UNIT": "days, hours or minutes",
    "SIZE_UNIT": "B, KB, MB, GB or TB",
    "$END": "end of input",
}

