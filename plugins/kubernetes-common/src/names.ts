/*
 * Kubernetes' name rules (k8s.io/apimachinery/pkg/util/validation), with its
 * wording, so a name the API server would refuse is refused before a request
 * is sent, with the message kubectl would show.
 */

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
/** The patterns of a DNS-1123 label and subdomain, anchored (for JSON schemas). @public */
export const DNS1123_LABEL_PATTERN = `^${DNS1123_LABEL_FMT}$`;
/** @public */
export const DNS1123_SUBDOMAIN_PATTERN = `^${DNS1123_SUBDOMAIN_FMT}$`;
const DNS1123_LABEL = new RegExp(DNS1123_LABEL_PATTERN);
const DNS1123_SUBDOMAIN = new RegExp(DNS1123_SUBDOMAIN_PATTERN);

/** Longest DNS-1123 label, and longest label value. @public */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Longest DNS-1123 subdomain: most object names. @public */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
const DNS1123_LABEL_ERROR = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL_FMT}')`;
const DNS1123_SUBDOMAIN_ERROR = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN_FMT}')`;

const maxLengthError = (length: number) =>
  `must be no more than ${length} characters`;

/**
 * What is wrong with a DNS-1123 label (namespace names, label values, Tekton
 * task names),
 * in Kubernetes' words; empty when it is valid.
 * @public
 */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) {
    errors.push(maxLengthError(DNS1123_LABEL_MAX_LENGTH));
  }
  if (!DNS1123_LABEL.test(value)) errors.push(DNS1123_LABEL_ERROR);
  return errors;
}

/**
 * What is wrong with a DNS-1123 subdomain (most object names: PipelineRuns,
 * Pipelines, ServiceAccounts), in Kubernetes' words; empty when it is valid.
 * @public
 */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    errors.push(maxLengthError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  }
  if (!DNS1123_SUBDOMAIN.test(value)) errors.push(DNS1123_SUBDOMAIN_ERROR);
  return errors;
}
