/**
 * The string validators of k8s.io/apimachinery/pkg/util/validation: each
 * returns the list of messages Kubernetes would report, empty when valid.
 */

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const C_IDENTIFIER_FMT = '[A-Za-z_][A-Za-z0-9_]*';
const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';

const anchored = (fmt: string) => new RegExp(`^${fmt}$`);
const DNS1123_LABEL = anchored(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN = anchored(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL = anchored(DNS1035_LABEL_FMT);
const QUALIFIED_NAME = anchored(QUALIFIED_NAME_FMT);
const LABEL_VALUE = anchored(LABEL_VALUE_FMT);
const C_IDENTIFIER = anchored(C_IDENTIFIER_FMT);
const CONFIG_MAP_KEY = anchored(CONFIG_MAP_KEY_FMT);

/** Maximum lengths used by the validators. */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Maximum length of a DNS-1123 subdomain. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Maximum length of a label value and of a qualified name's name part. */
export const LABEL_VALUE_MAX_LENGTH = 63;

/** `must be no more than <n> characters`. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** `must be non-empty`. */
export function emptyError(): string {
  return 'must be non-empty';
}

/** A regex error with examples, worded (and spaced) exactly as Kubernetes does. */
export function regexError(
  message: string,
  fmt: string,
  ...examples: string[]
): string {
  if (examples.length === 0) {
    return `${message} (regex used for validation is '${fmt}')`;
  }
  const quoted = examples.map(example => `'${example}', `).join(' or ');
  return `${message} (e.g. ${quoted}regex used for validation is '${fmt}')`;
}

const QUALIFIED_NAME_ERROR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** A DNS-1123 label (RFC 1123): Service names, Namespace names, container names. */
export function isDns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) {
    errors.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  }
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL_FMT,
        'my-name',
        '123-abc',
      ),
    );
  }
  return errors;
}

/** A DNS-1123 subdomain: most object names. */
export function isDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  }
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errors;
}

/** A DNS-1035 label: Service names and port names must start with a letter. */
export function isDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) {
    errors.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  }
  if (!DNS1035_LABEL.test(value)) {
    errors.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errors;
}

/** A qualified name (`[prefix/]name`): label keys, annotation keys, finalizers. */
export function isQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) {
      errors.push(`prefix part ${emptyError()}`);
    } else {
      errors.push(...isDns1123Subdomain(prefix).map(m => `prefix part ${m}`));
    }
  } else {
    return [
      `a qualified name ${regexError(
        QUALIFIED_NAME_ERROR,
        QUALIFIED_NAME_FMT,
        'MyName',
        'my.name',
        '123-abc',
      )} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) {
    errors.push(`name part ${emptyError()}`);
  } else if (name.length > LABEL_VALUE_MAX_LENGTH) {
    errors.push(`name part ${maxLenError(LABEL_VALUE_MAX_LENGTH)}`);
  }
  if (!QUALIFIED_NAME.test(name)) {
    errors.push(
      `name part ${regexError(
        QUALIFIED_NAME_ERROR,
        QUALIFIED_NAME_FMT,
        'MyName',
        'my.name',
        '123-abc',
      )}`,
    );
  }
  return errors;
}

/** A label value: empty, or up to 63 alphanumerics, '-', '_', '.'. */
export function isValidLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) {
    errors.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  }
  if (!LABEL_VALUE.test(value)) {
    errors.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errors;
}

/** A C identifier (environment variable names under the strict rules). */
export function isCIdentifier(value: string): string[] {
  return C_IDENTIFIER.test(value)
    ? []
    : [
        regexError(
          "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'",
          C_IDENTIFIER_FMT,
          'my_name',
          'MY_NAME',
          'MyName',
        ),
      ];
}

/** A ConfigMap or Secret data key. */
export function isConfigMapKey(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  }
  if (!CONFIG_MAP_KEY.test(value)) {
    errors.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        CONFIG_MAP_KEY_FMT,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  }
  if (value === '.') {
    errors.push("must not be '.'");
  } else if (value === '..') {
    errors.push("must not be '..'");
  } else if (value.startsWith('..')) {
    errors.push("must not start with '..'");
  }
  return errors;
}

/** An IANA service name (a named port): at most 15 characters, a letter, no '--'. */
export function isValidPortName(port: string): string[] {
  const errors: string[] = [];
  if (port.length > 15) {
    errors.push(maxLenError(15));
  }
  if (!/^[-a-z0-9]+$/.test(port)) {
    errors.push(
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    );
  }
  if (!/[a-z]/.test(port)) {
    errors.push('must contain at least one letter (a-z)');
  }
  if (port.includes('--')) {
    errors.push('must not contain consecutive hyphens');
  }
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) {
    errors.push('must not begin or end with a hyphen');
  }
  return errors;
}

/** A port number in 1–65535. */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535
    ? []
    : ['must be between 1 and 65535, inclusive'];
}
