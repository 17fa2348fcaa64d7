# The Kybra Book's "Candid" chapter snippets in one canister, each section its own module,
# imported in the book's order. The record and func sections both define a `User`: the
# first one met keeps the Candid name `User`, the other becomes `funcs_User`.
# Methods the book does not show are marked "added".
import records
import variants
import funcs
import services
import primitives
import scalars

__all__ = ["records", "variants", "funcs", "services", "primitives", "scalars"]
