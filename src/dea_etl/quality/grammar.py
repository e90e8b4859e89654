"""The DQDL grammar (lark, LALR) and the rule-type signatures the parser checks after parsing.

Written for dea-etl from the AWS DQDL reference. A document is one or more sections
``Rules = [ ... ]`` / ``Analyzers = [ ... ]``; ``#`` starts a comment. A rule is
``RuleType "param" ... [condition] [where "<sql>"] [with threshold <condition>]``; rules combine with
``and`` / ``or`` only inside parentheses (``and`` binds tighter than ``or``).
"""

from __future__ import annotations

from dataclasses import dataclass

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

?value: num_expr
      | STRING          -> string
      | KEYWORD         -> keyword
      | date_expr
      | duration
      | NUMBER SIZE_UNIT -> size

// a number, or a dynamic operand: avg(last(10)) * 0.8 (dea_etl.quality.dynamic)
?num_expr: num_term | num_expr SIGN num_term -> dyn_bin
?num_term: num_atom | num_term MUL_OP num_atom -> dyn_bin
?num_atom: NUMBER -> number
         | NAME "(" [num_expr ("," num_expr)*] ")" -> dyn_call
         | "(" num_expr ")"

date_expr: "now" "(" ")" [SIGN duration]
         | "(" date_expr ")"
duration: NUMBER UNIT

COMP_OP: ">=" | "<=" | "!=" | "=" | ">" | "<"
SIGN: "+" | "-"
MUL_OP: "*" | "/"
SIZE_UNIT.2: "B" | "KB" | "MB" | "GB" | "TB"
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
    "MUL_OP": "* or /",
    "NOT": "not",
    "KEYWORD": "NULL, EMPTY or WHITESPACES_ONLY",
    "UNIT": "days, hours or minutes",
    "SIZE_UNIT": "B, KB, MB, GB or TB",
    "$END": "end of input",
}


@dataclass(frozen=True)
class Signature:
    """What a rule type takes: how many quoted parameters, whether a condition, which kind, a threshold."""

    min_params: int
    max_params: int
    condition: str  # "required" | "none" | "optional"
    kind: str = "number"  # "number" | "any" | "duration" | "string"
    threshold: bool = False


SIGNATURES: dict[str, Signature] = {
    "RowCount": Signature(0, 0, "required"),
    "ColumnCount": Signature(0, 0, "required"),
    "Completeness": Signature(1, 1, "required"),
    "IsComplete": Signature(1, 1, "none"),
    "ColumnDataType": Signature(1, 1, "required", "string", threshold=True),
    "ColumnNamesMatchPattern": Signature(1, 1, "none"),
    "ColumnExists": Signature(1, 1, "none"),
    "ColumnCorrelation": Signature(2, 2, "required"),
    "Uniqueness": Signature(1, 16, "required"),
    "IsUnique": Signature(1, 1, "none"),
    "Mean": Signature(1, 1, "required"),
    "Sum": Signature(1, 1, "required"),
    "StandardDeviation": Signature(1, 1, "required"),
    "Variance": Signature(1, 1, "required"),
    "Entropy": Signature(1, 1, "required"),
    "DistinctValuesCount": Signature(1, 1, "required"),
    "UniqueValueRatio": Signature(1, 1, "required"),
    "ColumnLength": Signature(1, 1, "required", threshold=True),
    "IsPrimaryKey": Signature(1, 16, "none"),
    "ColumnValues": Signature(1, 1, "required", "any", threshold=True),
    "DataFreshness": Signature(1, 1, "required", "duration", threshold=True),
    "CustomSql": Signature(1, 1, "optional", threshold=True),
    "ReferentialIntegrity": Signature(2, 2, "required"),
    "DatasetMatch": Signature(2, 3, "required"),
    "SchemaMatch": Signature(1, 1, "required"),
    "RowCountMatch": Signature(1, 1, "required"),
    "AggregateMatch": Signature(2, 2, "required"),
    # the watched rule type and its parameters (dea_etl.quality.historic)
    "DetectAnomalies": Signature(1, 3, "none"),
    # files (dea_etl.quality.filerules)
    "FileFreshness": Signature(1, 1, "required", "any", threshold=True),
    "FileSize": Signature(1, 1, "required", threshold=True),
    "FileUniqueness": Signature(1, 1, "required"),
    "FileMatch": Signature(1, 2, "optional", "any"),
}

#: Rule types an ``Analyzers`` section may name (the dataset-level statistics).
ANALYZER_TYPES = frozenset(
    {"RowCount", "ColumnCount", "Completeness", "ColumnCorrelation", "Uniqueness", "Mean", "Sum",
     "StandardDeviation", "Variance", "Entropy", "DistinctValuesCount", "UniqueValueRatio", "ColumnLength",
     "AllStatistics"}
)
