"""Money for people: amounts in minor units shown as “$125.00”, and typed amounts read back.

Stored amounts are integers in the currency's minor unit (cents for usd). Most currencies have
two decimals; Stripe lists the ones with none or three, which is what `decimals` follows.
"""

from decimal import Decimal

# Stripe's zero-decimal and three-decimal currencies (lowercase ISO 4217).
_ZERO_DECIMAL = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
     "xaf", "xof", "xpf"]
)  # fmt: skip
_THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])

# Symbols written before the amount; any other currency is written after it by its code.
_SYMBOLS = {
    "usd": "$",
    "eur": "€",
    "gbp": "£",
    "jpy": "¥",
    "cad": "CA$",
    "aud": "A$",
    "inr": "₹",
    "cny": "CN¥",
}


def decimals(currency: str) -> int:
    """Digits after the decimal point in the currency's major unit."""
    code = currency.lower()
    if code in _ZERO_DECIMAL:
        return 0
    if code in _THREE_DECIMAL:
        return 3
    return 2


def to_major(amount: int, currency: str) -> Decimal:
    """12500 usd → Decimal('125.00')."""
    places = decimals(currency)
    return (Decimal(amount) / (10**places)).quantize(Decimal(1).scaleb(-places))


def to_minor(value: Decimal, currency: str) -> int:
    """Decimal('125.5') usd → 12550; digits past the currency's precision are refused."""
    scaled = value * (10 ** decimals(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more decimals than {currency.upper()} allows.")
    return int(scaled)


def format_money(amount: int | None, currency: str) -> str:
    """12500, "usd" → "$125.00"; 250000 → "$2,500.00"; "chf" → "125.00 CHF"; None → "—"."""
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    number = f"{to_major(abs(amount), currency):,}"
    symbol = _SYMBOLS.get(currency.lower())
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {currency.upper()}"
