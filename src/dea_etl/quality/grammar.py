"""The DQDL grammar (lark, LALR) and the rule-type signatures the parser checks after parsing.

Written for dea-etl from the AWS DQDL reference. A document is one or more sections
``Rules = [ ... ]`` / ``Analyzers = [ ... ]``; ``#`` starts a comment. A rule is
``RuleType "param" ... [condition] [where "<sql>"] [with threshold <condition>]``; rules combine with
``and`` / ``or`` only inside parentheses (``and`` binds tighter than ``or``).
"""

from __future__ import annotations

GRAMMAR = r"""
start: section+

?section: rules_section | analyzers_section
rules_section: "Rules" "=" "[" [rule_expr ("," rule_expr)*] "]"
analyzers_section: "Analyzers" "=" "[" [analyzer ("," analyzer)*] "]"

?rule_expr: dq_rule | or_chain
?or_chain: and_chain | or_chain "or" and_chain -> or_rule
?and_chain: group | and_chain "and" group -> and_rule
?group: "(" rule_expr ")"

dq_rule: NAME STRING* [condition] [where] [tag]
analyzer: NAME STRING* [where]
where: "where" STRING
tag: "with" NAME condition

condition: COMP_OP value                       -> compare
         | [NOT] "between" value "and" value    -> between
         | [NOT] "in" "[" value ("," value)* "]" -> in_list
         | [NOT] "matches" STRING               -> matches

?value: NUMBER          -> number
      | STRING          -> string
      | KEYWORD         -> keyword
      | date_expr
      | duration

date_expr: "now" "(" ")" [SIGN duration]
         | "(" date_expr ")"
duration: NUMBER UNIT

COMP_OP: ">=" | "<=" | "!=" | "=" | ">" | "<"
SIGN: "+" | "-"
NOT.2: "not"
KEYWORD.2: "NULL" | "EMPTY" | "WHITESPACES_ONLY"
UNIT.2: "days" | "hours" | "minutes"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /"(\\.|[^"\\\n])*"/
NUMBER: /-?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?/
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
    "NOT": "not",
    "KEYWORD": "NULL, EMPTY or WHITESPACES_ONLY",
    "UNIT": "days, hours or minutes",
    "$END": "end of input",
}

