// 申请表 (/<scheme>/apply/): read the form, check it with the scheme's own rules, and write the
// two files an applicant hands in: the filled 申请表 (Word) and the record file (申请数据) staff add.
//
// One set of rules: schema.json beside the page is the inlined schema `directory validate` checks
// records with (directory/site/form.py writes it from schemas.validators); conditions.json is the
// scheme's entry conditions compiled by directory/rules/conditions.compile_conditions, each with
// validate's own message and article. Both are run by the vendored @cfworker/json-schema (draft
// 2020-12); the formats are the ones directory/rules/codes.py registers on jsonschema's
// FormatChecker, ported: the credit-code check character of GB 32100-2015, "date" and "email" as
// jsonschema checks them, and "region-code" as membership of the region list (the scheme's area of
// the GB/T 2260 table, which the page's <select> offers).
//
// Everything the user types is data: it reaches the page only through textContent and value, and
// the Word file only XML-escaped. Nothing is sent anywhere; a draft is kept in this browser's
// localStorage. The only requests are for this script, its vendored modules and the files beside the page.
import { Validator, format } from './vendor/cfworker-json-schema/index.js';
import { strFromU8, strToU8, unzipSync, zipSync } from './vendor/fflate/browser.js';

// ---------------------------------------------------------------------------------------------
// Formats (directory/formats.py)

// GB 32100-2015 §4: the 31 characters of the code (no I, O, S, V, Z) and the weights of positions 1-17.
const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckCharacter(first17) {
  let total = 0;
  for (let i = 0; i < 17; i += 1) total += CREDIT_CODE_CHARSET.indexOf(first17[i]) * CREDIT_CODE_WEIGHTS[i];
  return CREDIT_CODE_CHARSET[(31 - (total % 31)) % 31];
}

// The message of formats.check_credit_code, or '' when the code is valid.
export function creditCodeProblem(value) {
  if (typeof value !== 'string') return '';
  const chars = [...value];
  if (chars.length !== 18) return `统一社会信用代码应为 18 位，「${value}」是 ${chars.length} 位`;
  const upper = value.toUpperCase();
  if (value !== upper && upper === upper.trim() && [...upper].every((c) => CREDIT_CODE_CHARSET.includes(c))) {
    return `统一社会信用代码中的字母应为大写：「${upper}」`;
  }
  const wrong = [...new Set(chars.filter((c) => !CREDIT_CODE_CHARSET.includes(c)))];
  if (wrong.length) {
    return `统一社会信用代码「${value}」含有不允许的字符「${wrong.join('')}」：只能是数字和大写字母（不含 I、O、S、V、Z）`;
  }
  const expected = creditCodeCheckCharacter(value.slice(0, 17));
  if (value[17] !== expected) {
    return `统一社会信用代码「${value}」校验位不对：按前 17 位计算，第 18 位应为「${expected}」，请核对营业执照`;
  }
  return '';
}

// jsonschema's "date": ^\d{4}-\d{2}-\d{2}$ (ASCII) and a real date (datetime.date.fromisoformat).
function isDate(value) {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

let regionCodes = new Set();
format['credit-code'] = (value) => creditCodeProblem(value) === '';
format['region-code'] = (value) => regionCodes.has(value);
format.date = isDate;
format.email = (value) => value.includes('@');       // jsonschema's FormatChecker: "@" in value

// ---------------------------------------------------------------------------------------------
// YAML: block style, keys in schema order, read back by directory/loader.py (PyYAML, YAML 1.1)
// as exactly the values written.

const YAML_WORDS = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;   // keys only

// Every string is written double-quoted, with an escape for every character that is not plainly
// visible text: so no value typed into any field (line breaks, U+2028/U+2029/U+0085, "#", ": ",
// quotes, a leading "-" "&" "*" "!" "%" "@" "`" "|" ">" "{" "[") can end its scalar and start a key.
// Kept as they are: printable ASCII and PyYAML's printable characters above U+00A0, less the
// line and paragraph separators (PyYAML reads them as line breaks) and the byte order mark.
function printable(code) {
  return (code >= 0x20 && code <= 0x7e)
    || (code >= 0xa0 && code <= 0xd7ff && code !== 0x2028 && code !== 0x2029)
    || (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) || (code >= 0x10000 && code <= 0x10ffff);
}

function hex(code, width) {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

const ESCAPES = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

function doubleQuoted(text) {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (printable(code)) out += ch;
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\uFFFD';   // a lone surrogate is no character
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

function scalar(value) {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    const text = String(value);
    // PyYAML reads 1e+21 as a string: a float needs a dot before the exponent
    return /e/i.test(text) && !text.includes('.') ? text.replace(/e/i, '.0e') : text;
  }
  return doubleQuoted(String(value));
}

function yamlKey(key) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !YAML_WORDS.test(key) ? key : doubleQuoted(key);
}

function isMapping(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function emitMapping(object, pad, lines) {
  for (const [key, value] of Object.entries(object)) {
    const head = `${pad}${yamlKey(key)}:`;
    if (isMapping(value) && Object.keys(value).length) {
      lines.push(head);
      emitMapping(value, `${pad}  `, lines);
    } else if (Array.isArray(value) && value.length) {
      lines.push(head);
      emitSequence(value, `${pad}  `, lines);
    } else if (isMapping(value)) {
      lines.push(`${head} {}`);
    } else if (Array.isArray(value)) {
      lines.push(`${head} []`);
    } else {
      lines.push(`${head} ${scalar(value)}`);
    }
  }
}

function emitSequence(items, pad, lines) {
  for (const item of items) {
    if (isMapping(item) && Object.keys(item).length) {
      const inner = [];
      emitMapping(item, `${pad}  `, inner);
      inner[0] = `${pad}- ${inner[0].slice(pad.length + 2)}`;
      lines.push(...inner);
    } else if (Array.isArray(item) && item.length) {
      const inner = [];
      emitSequence(item, `${pad}  `, inner);
      inner[0] = `${pad}- ${inner[0].slice(pad.length + 2)}`;
      lines.push(...inner);
    } else {
      lines.push(`${pad}- ${isMapping(item) ? '{}' : Array.isArray(item) ? '[]' : scalar(item)}`);
    }
  }
}

export function toYaml(record, comments = []) {
  const lines = comments.map((line) => `# ${line.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ')}`);
  emitMapping(record, '', lines);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading the form: controls are named by the dotted key; DOM order is schema order.

function controlValue(control) {
  const type = control.dataset.type;
  if (control.type === 'checkbox') return control.checked ? control.value : undefined;
  if (control.type === 'number') {
    if (control.validity.badInput) return { bad: true };
    return control.value.trim() === '' ? undefined : Number(control.value);
  }
  const text = control.value.replace(/\r\n?/g, '\n').trim();
  if (text === '') return undefined;
  if (type === 'boolean') return text === 'true';
  if (type === 'integer' || type === 'number') return Number(text);
  return text;
}

function setPath(target, parts, value) {
  let node = target;
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    if (last) {
      node[part] = value;
      return;
    }
    if (node[part] === undefined) node[part] = /^[0-9]+$/.test(parts[index + 1]) ? [] : {};
    node = node[part];
  });
}

// The record, the names the browser could not read (numbers it could not parse), and for list
// rows the form name of each written item (services.0 -> services.2 when rows 0 and 1 were empty).
function readForm(form) {
  const record = {};
  const unreadable = [];
  const aliases = new Map();
  const skipped = new Set();
  for (const rows of form.querySelectorAll('[data-rows]')) {
    let written = 0;
    rows.querySelectorAll('[data-row]').forEach((row, index) => {
      const filled = [...row.querySelectorAll('[name]')].some((c) => {
        const value = controlValue(c);
        return value !== undefined;
      });
      if (filled) {
        aliases.set(`${rows.dataset.rows}.${written}`, `${rows.dataset.rows}.${index}`);
        row.dataset.writtenAs = String(written);
        written += 1;
      } else {
        skipped.add(row);
      }
    });
  }
  for (const control of form.querySelectorAll('[name]')) {
    const row = control.closest('[data-row]');
    if (row && skipped.has(row)) continue;
    const value = controlValue(control);
    if (value === undefined) continue;
    if (value && value.bad) {
      unreadable.push(control.name);
      continue;
    }
    let parts = control.name.split('.');
    if (row) parts = [parts[0], row.dataset.writtenAs, ...parts.slice(2)];
    if (control.dataset.type === 'array') {
      const list = parts.reduce((node, part) => (node ? node[part] : undefined), record);
      if (Array.isArray(list)) list.push(value);
      else setPath(record, parts, [value]);
    } else {
      setPath(record, parts, value);
    }
  }
  return { record, unreadable, aliases };
}

// ---------------------------------------------------------------------------------------------
// Validation messages: validate's own (directory/rules/schemas.py `_finding`), as templates the
// build derives from it (directory/site/form_messages.py) and puts in the form's data-messages.

let MESSAGES = { messages: {}, separators: {}, types: {} };

function pointerParts(location) {
  return location.replace(/^#\/?/, '').split('/').filter((p) => p !== '')
    .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function at(node, parts) {
  return parts.reduce((current, part) => (current == null ? undefined : current[part]), node);
}

function labelOf(subschema, form, name) {
  if (subschema && subschema.title) return subschema.title;
  const control = fieldFor(form, name);
  const label = control && control.wrapper.querySelector('label, legend');
  return label ? label.textContent.replace('（必填）', '').trim() : name;
}

// validate's template of each variant (directory/site/form_messages.py), filled with this error's values.
function say(variant, values) {
  const template = MESSAGES.messages[variant];
  if (!template) return `「${values.title}」不符合要求`;
  return template.replace(/\{([a-z]+)\}/g, (whole, name) => {
    const value = values[name];
    if (Array.isArray(value)) return value.map(String).join(MESSAGES.separators[name] || '、');
    return value === undefined ? whole : String(value);
  });
}

function message(error, subschema, value, title, form) {
  const keyword = error.keyword;
  const rule = subschema ? subschema[keyword] : undefined;
  const hint = subschema && subschema['x-hint'];
  let shown = typeof value === 'string' ? `「${value}」` : JSON.stringify(value);
  if ([...shown].length > 40) shown = `${[...shown].slice(0, 40).join('')}…`;
  const values = { title, value, hint, limit: rule, shown };
  switch (keyword) {
    case 'type':
      return say('type', { ...values, expected: [].concat(rule || []).map((t) => MESSAGES.types[t] || t) });
    case 'enum':
      return say('enum', { ...values, choices: rule || [] });
    case 'format':
      if (rule === 'credit-code') return creditCodeProblem(value);
      if (rule === 'date') return say('format_date', values);
      if (rule === 'region-code') return `「${title}」请从列表中选择${form.dataset.regionName || ''}的行政区划`;
      return say(hint ? 'format_hint' : 'format', values);
    case 'pattern':
      return say(hint ? 'pattern_hint' : 'pattern', values);
    case 'minLength':
      return say(rule <= 1 ? 'minLength_empty' : 'minLength', values);
    case 'maxLength':
      return say('maxLength', { ...values, length: [...String(value)].length });
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return say(keyword, { ...values, shown: JSON.stringify(value) });
    case 'uniqueItems': {
      const seen = new Set();
      const repeated = [];
      for (const item of value || []) {
        const key = JSON.stringify(item);
        if (seen.has(key)) repeated.push(typeof item === 'string' ? item : key);
        seen.add(key);
      }
      return say('uniqueItems', { ...values, repeated });
    }
    default:
      return `「${title}」不符合要求`;
  }
}

// Errors that only say "something below failed": the error below says what.
const WRAPPERS = new Set(['properties', 'items', 'prefixItems', 'additionalItems', 'allOf', 'anyOf', 'oneOf',
  'if', 'then', 'else', '$ref', '$recursiveRef', 'contains', 'dependentSchemas', 'patternProperties', 'false',
  'unevaluatedItems', 'propertyNames']);

// [{name: dotted key, message}] for every problem of the record, at most one per name.
function problems(validator, schema, record, aliases, form) {
  const found = [];
  const { errors } = validator.validate(record);
  for (const error of errors) {
    if (WRAPPERS.has(error.keyword)) continue;
    const instanceParts = pointerParts(error.instanceLocation);
    const schemaParts = pointerParts(error.keywordLocation).slice(0, -1);
    const subschema = at(schema, schemaParts);
    if (error.keyword === 'required') {
      const instance = at(record, instanceParts) || {};
      for (const key of (subschema && subschema.required) || []) {
        if (key in instance) continue;
        const missing = subschema.properties && subschema.properties[key];
        const title = labelOf(missing, form, [...instanceParts, key].join('.'));
        let childSchema = missing;
        const path = [...instanceParts, key];
        // a whole object left out (term): the mark goes on its first required field
        while (childSchema && childSchema.properties && (childSchema.required || []).length) {
          path.push(childSchema.required[0]);
          childSchema = childSchema.properties[childSchema.required[0]];
        }
        found.push({ name: path.join('.'), message: say('required', { title, key }) });
      }
      continue;
    }
    const name = instanceParts.join('.');
    const value = at(record, instanceParts);
    found.push({ name, message: message(error, subschema, value, labelOf(subschema, form, name), form) });
  }
  return found.map(({ name, message: text }) => {
    const parts = name.split('.');
    const alias = aliases.get(parts.slice(0, 2).join('.'));
    return { name: alias ? [alias, ...parts.slice(2)].join('.') : name, message: text };
  });
}

// ---------------------------------------------------------------------------------------------
// Entry conditions (conditions.json; directory/rules/conditions.py says how it is made): each
// condition's checks are tried in order and the first that fails gives its message, as
// `form_shortfalls` does in Python. A check is a JSON Schema run on the record plus the figures
// `withComputed` adds: the two functions below are ports of with_computed and fill_message.

// Python's f"{x:g}": six significant digits, trailing zeros dropped, exponent from 1e-5 / 1e6 on.
export function formatG(value) {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return String(value);
  const [mantissa, exponentText] = value.toExponential(5).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const digits = mantissa.replace(/\.?0+$/, '');
    return `${digits}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return value.toFixed(Math.max(0, 5 - exponent)).replace(/(\.[0-9]*?)0+$/, '$1').replace(/\.$/, '');
}

// Python's str() of a JSON value.
// as conditions._text shows a value: Python's str(), but true and false as YAML writes them
function pythonText(value) {
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value === null) return 'None';
  return String(value);
}

function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

function valueAt(record, dotted) {
  let node = record;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

// dates.parse_date and dates.add_months, for the years-of-operation figures.
function parseDate(value) {
  if (typeof value !== 'string' || !isDate(value)) return null;
  const [year, month, day] = value.split('-').map(Number);
  return { year, month, day };
}

function addMonths({ year, month, day }, months) {
  const index = year * 12 + month - 1 + months;
  const [y, m] = [Math.floor(index / 12), (index % 12) + 1];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { year: y, month: m, day: Math.min(day, last) };
}

function isoDate({ year, month, day }) {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function withComputed(record, computed) {
  const figures = {};
  for (const item of computed) {
    if ('date' in item) {
      const day = parseDate(valueAt(record, item.date));
      if (!day) continue;
      const reference = parseDate(valueAt(record, 'term.start')) ? valueAt(record, 'term.start') : item.today;
      const reached = isoDate(addMonths(day, item.months));
      figures[item.name] = { reached, reference, late: reached > reference };
      continue;
    }
    const [top, bottom] = [valueAt(record, item.top), valueAt(record, item.bottom)];
    if (!isNumber(top) || !isNumber(bottom)) continue;
    figures[item.name] = { top, bottom, excess: top - bottom };
    if (bottom !== 0) figures[item.name].pct = (top / bottom) * 100;
  }
  return { ...record, $computed: figures };
}

export function fillMessage(template, instance) {
  return template.replace(/\{(=|!|#|、|\.1 )([^{}\s]+)\}/g, (whole, sign, dotted) => {
    const value = valueAt(instance, dotted);
    const items = Array.isArray(value) ? value : [];
    if (sign === '#') return String(items.length);
    if (sign === '、') return items.map(pythonText).join('、');
    if (value === undefined) return '';
    if (sign.trim() === '.1') return value.toFixed(1);
    return sign === '=' && isNumber(value) ? formatG(value) : pythonText(value);
  });
}

const checkValidators = new Map();

function passes(schema, instance) {
  if (!checkValidators.has(schema)) checkValidators.set(schema, new Validator(schema, '2020-12', true));
  return checkValidators.get(schema).validate(instance).valid;
}

// [{name, message, rule, basis}]: one per failing condition (conditions.form_shortfalls).
export function conditionProblems(compiled, record) {
  const instance = withComputed(record, compiled['x-computed'] || []);
  const found = [];
  for (const entry of compiled.allOf || []) {
    if (entry.if && !passes(entry.if, instance)) continue;
    for (const check of entry.if ? entry.then.allOf : entry.allOf) {
      if (!passes(check, instance)) {
        found.push({
          name: check['x-field'], rule: entry['x-rule'], basis: entry['x-basis'],
          message: `${fillMessage(check['x-message'], instance)}（${entry['x-basis']}）`,
        });
        break;
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// A draft in this browser (localStorage), so a reload or a closed tab loses nothing

function draftOf(form) {
  const rows = {};
  for (const list of form.querySelectorAll('[data-rows]')) rows[list.dataset.rows] = list.querySelectorAll('[data-row]').length;
  const values = {};
  const checked = {};
  for (const control of form.querySelectorAll('[name]')) {
    if (control.type === 'hidden') continue;
    if (control.type === 'checkbox') {
      if (control.checked) (checked[control.name] = checked[control.name] || []).push(control.value);
    } else if (control.value !== '') {
      values[control.name] = control.value;
    }
  }
  return { rows, values, checked };
}

function saveDraft(form, note) {
  try {
    localStorage.setItem(form.dataset.draftKey, JSON.stringify(draftOf(form)));
    note.textContent = '草稿已保存在本浏览器中。';
  } catch (error) {
    note.textContent = '本浏览器不能保存草稿（可能是隐私模式）：请在关闭页面前完成填写。';
  }
}

function restoreDraft(form) {
  let draft = null;
  try {
    draft = JSON.parse(localStorage.getItem(form.dataset.draftKey) || 'null');
  } catch (error) {
    draft = null;
  }
  if (!draft || typeof draft !== 'object') return false;
  for (const [name, count] of Object.entries(draft.rows || {})) {
    const add = form.querySelector(`[data-add-row="${CSS.escape(name)}"]`);
    for (let index = 1; add && index < count; index += 1) add.click();
  }
  for (const control of form.querySelectorAll('[name]')) {
    if (control.type === 'hidden') continue;
    if (control.type === 'checkbox') {
      control.checked = ((draft.checked || {})[control.name] || []).includes(control.value);
    } else if (typeof (draft.values || {})[control.name] === 'string') {
      control.value = draft.values[control.name];
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The filled 申请表: application.docx beside the page (directory/site/form_docx.py) with each
// {{placeholder}} run replaced by what the form holds.

// What a control shows a reader: a choice's label, else the text typed.
function shownValue(control) {
  if (control.tagName === 'SELECT') {
    const option = control.selectedOptions[0];
    return option && option.value !== '' ? option.textContent.trim() : '';
  }
  return control.value.replace(/\r\n?/g, '\n').trim();
}

function paperValues(form) {
  const values = new Map();
  const ticked = new Set();
  for (const control of form.querySelectorAll('[name]')) {
    if (control.type === 'hidden') continue;
    if (control.type === 'checkbox') {
      if (control.checked) ticked.add(`${control.name}=${control.value}`);
    } else if (!control.closest('[data-row]')) {
      values.set(control.name, shownValue(control));
    }
  }
  for (const list of form.querySelectorAll('[data-rows]')) {
    const lines = [];
    for (const row of list.querySelectorAll('[data-row]')) {
      const parts = [...row.querySelectorAll('[name]')].map(shownValue).filter((text) => text !== '');
      if (parts.length) lines.push(`${lines.length + 1}. ${parts.join('：')}`);
    }
    values.set(list.dataset.rows, lines.join('\n'));
  }
  const today = new Date();
  values.set('$date', `${today.getFullYear()} 年 ${today.getMonth() + 1} 月 ${today.getDate()} 日`);
  return { values, ticked };
}

function xmlText(text) {
  // characters XML 1.0 cannot hold (control characters, lone surrogates) would make Word refuse the file
  const clean = [...text].filter((ch) => {
    const code = ch.codePointAt(0);
    return code === 0x9 || code === 0xa || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd)
      || code >= 0x10000;
  }).join('');
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const XML_ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

export function fillDocx(template, values, ticked) {
  const files = unzipSync(new Uint8Array(template));
  const xml = strFromU8(files['word/document.xml']);
  const filled = xml.replace(/<w:t(?: [^>]*)?>\{\{([^<]*?)\}\}<\/w:t>/g, (whole, encoded) => {
    const name = encoded.replace(/&(?:amp|lt|gt|quot|apos);/g, (entity) => XML_ENTITIES[entity]);
    if (name.startsWith('☐')) return `<w:t>${ticked.has(name.slice(1)) ? '☑' : '☐'}</w:t>`;
    const lines = xmlText(values.get(name) || '').split('\n');
    return `<w:t xml:space="preserve">${lines.join('</w:t><w:br/><w:t xml:space="preserve">')}</w:t>`;
  });
  files['word/document.xml'] = strToU8(filled);
  return zipSync(files);
}

// ---------------------------------------------------------------------------------------------
// Marking fields

function fieldFor(form, name) {
  const controls = [...form.querySelectorAll('[name]')].filter((c) => c.type !== 'hidden');
  let parts = name.split('.');
  while (parts.length) {
    const key = parts.join('.');
    let matching = controls.filter((c) => c.name === key);
    if (!matching.length) matching = controls.filter((c) => c.name.startsWith(`${key}.`)).slice(0, 1);
    if (matching.length) {
      return { controls: matching, wrapper: matching[0].closest('[data-field]') };
    }
    parts = parts.slice(0, -1);
  }
  return null;
}

function clearField(wrapper) {
  if (!wrapper) return;
  wrapper.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
  wrapper.classList.remove('dir-apply__field--invalid');
  const error = wrapper.querySelector('.dir-apply__error');
  if (error) {
    error.textContent = '';
    error.hidden = true;
  }
}

function showProblems(form, found) {
  const summary = form.querySelector('#apply-summary');
  const marked = new Map();
  const unplaced = [];
  for (const problem of found) {
    const field = fieldFor(form, problem.name);
    if (!field || !field.wrapper) {
      unplaced.push(problem);
      continue;
    }
    if (marked.has(field.wrapper)) continue;
    marked.set(field.wrapper, { ...problem, controls: field.controls });
    field.controls.forEach((c) => c.setAttribute('aria-invalid', 'true'));
    field.wrapper.classList.add('dir-apply__field--invalid');
    const error = field.wrapper.querySelector('.dir-apply__error');
    error.textContent = problem.message;
    error.hidden = false;
  }
  const ordered = [...marked.values()].sort((a, b) => (
    a.controls[0].compareDocumentPosition(b.controls[0]) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  summary.replaceChildren();
  const heading = document.createElement('p');
  heading.textContent = `有 ${ordered.length + unplaced.length} 处需要修改，申请文件未生成：`;
  const list = document.createElement('ul');
  for (const problem of ordered) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `#${problem.controls[0].id}`;
    link.textContent = problem.message;
    link.addEventListener('click', (event) => {
      event.preventDefault();
      problem.controls[0].focus();
    });
    item.append(link);
    list.append(item);
  }
  for (const problem of unplaced) {
    const item = document.createElement('li');
    item.textContent = `${problem.name}：${problem.message}`;
    list.append(item);
  }
  summary.append(heading, list);
  summary.hidden = false;
  if (ordered.length) ordered[0].controls[0].focus();
  else summary.focus();
  return ordered.length + unplaced.length;
}

// ---------------------------------------------------------------------------------------------
// List rows (服务产品): add, remove, renumber

function renumber(rows) {
  const name = rows.dataset.rows;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|[\\s-]|^f-|^e-|^h-)(${escaped})([.-])[0-9]+([.-])`, 'g');
  rows.querySelectorAll('[data-row]').forEach((row, index) => {
    for (const element of row.querySelectorAll('[name], [id], [for], [aria-describedby], [data-field]')) {
      for (const attribute of ['name', 'id', 'for', 'aria-describedby', 'data-field']) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(pattern, `$1$2$3${index}$4`));
      }
    }
    const remove = row.querySelector('[data-remove-row]');
    if (remove) remove.hidden = rows.querySelectorAll('[data-row]').length === 1;
  });
}

function setUpRows(form, onChange) {
  for (const rows of form.querySelectorAll('[data-rows]')) {
    const template = rows.querySelector('[data-row]').cloneNode(true);
    renumber(rows);
    rows.addEventListener('click', (event) => {
      const button = event.target.closest('[data-remove-row]');
      if (!button) return;
      button.closest('[data-row]').remove();
      renumber(rows);
      onChange();
      const first = rows.querySelector('[data-row] [name]');
      if (first) first.focus();
    });
    const add = form.querySelector(`[data-add-row="${CSS.escape(rows.dataset.rows)}"]`);
    add.addEventListener('click', () => {
      const row = template.cloneNode(true);
      row.querySelectorAll('[name]').forEach((c) => { c.value = ''; });
      row.querySelectorAll('.dir-apply__error').forEach((e) => { e.hidden = true; e.textContent = ''; });
      rows.append(row);
      renumber(rows);
      onChange();
      row.querySelector('[name]').focus();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Output: copy and download

function copyText(text, status) {
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (error) {
      ok = false;
    }
    area.remove();
    status.textContent = ok ? '已复制到剪贴板。' : '无法自动复制：请展开下面的「查看申请数据」，全选后复制。';
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(() => { status.textContent = '已复制到剪贴板。'; }, fallback);
  } else {
    fallback();
  }
}

function download(content, fileName, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------------------------------------------------------------------------------------------

async function loadJson(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

async function main() {
  const form = document.getElementById('apply-form');
  if (!form) return;
  const output = document.getElementById('apply-output');
  const data = document.getElementById('apply-data');
  const status = document.getElementById('apply-status');
  const note = document.getElementById('apply-draft');
  const copyButton = document.getElementById('apply-copy');
  const downloadButton = document.getElementById('apply-download');
  const docxButton = document.getElementById('apply-docx');
  const generate = document.getElementById('apply-generate');
  const clear = document.getElementById('apply-clear');
  const summary = document.getElementById('apply-summary');
  regionCodes = new Set([...form.querySelectorAll('select[data-region] option')].map((o) => o.value).filter(Boolean));
  MESSAGES = JSON.parse(form.dataset.messages || '{}');

  let schema = null;
  let validator = null;
  let conditions = null;
  try {
    [schema, conditions] = await Promise.all([loadJson(form.dataset.schema), loadJson(form.dataset.conditions)]);
    validator = new Validator(schema, '2020-12', false);
  } catch (error) {
    status.textContent = `无法读取校验规则（${error.message}）：请刷新页面后再试。`;
  }

  let current = '';
  let fileName = 'record.yaml';
  const results = [output, data, copyButton, downloadButton, docxButton];
  const withdraw = () => {
    current = '';
    output.textContent = '';
    results.forEach((element) => { element.hidden = true; });
  };
  const stale = () => {
    if (!current) return;
    withdraw();
    status.textContent = '表单已修改：请重新点击「检查并生成」。';
  };
  setUpRows(form, () => { stale(); saveDraft(form, note); });
  if (restoreDraft(form)) note.textContent = '已恢复上次在本浏览器中填写的草稿。';
  form.addEventListener('input', (event) => {
    clearField(event.target.closest('[data-field]'));
    stale();
    saveDraft(form, note);
  });
  form.addEventListener('change', (event) => {
    clearField(event.target.closest('[data-field]'));
    saveDraft(form, note);
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  clear.addEventListener('click', () => {
    localStorage.removeItem(form.dataset.draftKey);
    form.reset();
    for (const list of form.querySelectorAll('[data-rows]')) {
      list.querySelectorAll('[data-row]').forEach((row, index) => { if (index) row.remove(); });
      renumber(list);
    }
    form.querySelectorAll('[data-field]').forEach(clearField);
    summary.hidden = true;
    withdraw();
    status.textContent = '草稿已清除。';
    note.textContent = '';
  });

  generate.addEventListener('click', () => {
    form.querySelectorAll('[data-field]').forEach(clearField);
    summary.hidden = true;
    summary.replaceChildren();
    withdraw();
    if (!validator) {
      status.textContent = '无法读取校验规则：请刷新页面后再试。';
      return;
    }
    const { record, unreadable, aliases } = readForm(form);
    const found = unreadable.map((name) => ({ name, message: `「${labelOf(null, form, name)}」应为数字` }));
    found.push(...problems(validator, schema, record, aliases, form));
    found.push(...conditionProblems(conditions, record));
    if (found.length) {
      const count = showProblems(form, found);
      status.textContent = `未生成：请先修改标出的 ${count} 处。`;
      return;
    }
    current = toYaml(record, [`${form.dataset.schemeTitle} · 网站申请表生成`]);
    fileName = `${record.id}.yaml`;
    output.textContent = current;
    results.forEach((element) => { element.hidden = false; });
    status.textContent = '已生成：请下载申请表（Word）打印、签字盖章，并下载申请数据（记录文件），一并交给工作人员。';
  });
  copyButton.addEventListener('click', () => copyText(current, status));
  downloadButton.addEventListener('click', () => download(current, fileName, 'text/plain;charset=utf-8'));
  docxButton.addEventListener('click', async () => {
    try {
      const template = await (await fetch(form.dataset.docx, { credentials: 'same-origin' })).arrayBuffer();
      const { values, ticked } = paperValues(form);
      const name = (values.get('name') || '').replace(/[\\/:*?"<>|\s]+/g, '') || '申请';
      download(fillDocx(template, values, ticked), `${name}-${form.dataset.paperTitle}.docx`,
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    } catch (error) {
      status.textContent = `无法生成申请表（${error.message}）：请刷新页面后再试。`;
    }
  });
  form.dataset.ready = 'true';
}

// For tests and for anyone checking the rules by hand in the browser console.
window.directoryApply = {
  toYaml, creditCodeProblem, creditCodeCheckCharacter, formatG, fillMessage, withComputed, conditionProblems,
};
main();
