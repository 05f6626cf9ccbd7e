// A card number typed into the chat is masked in the page and in its stored history too, as the server
// masks it before Rasa stores the message (bot/redaction.py: 13 to 19 digits passing the Luhn check,
// spaces or dashes allowed, not a "+" phone number). No lookbehind: older Safari cannot parse one.
const CARD_CANDIDATE = /(^|[^\d+])((?:\d[ -]?){12,18}\d)(?!\d)/g;
export const CARD_MASK = "[•••• •••• •••• ••••]";

function luhnValid(digits) {
  let total = 0;
  for (let position = 0; position < digits.length; position += 1) {
    let value = Number(digits[digits.length - 1 - position]);
    if (position % 2 === 1) value = value > 4 ? value * 2 - 9 : value * 2;
    total += value;
  }
  return total % 10 === 0;
}

export function maskCardNumbers(text) {
  return String(text).replace(CARD_CANDIDATE, (whole, before, candidate) => {
    const digits = candidate.replace(/\D/g, "");
    return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? before + CARD_MASK : whole;
  });
}
