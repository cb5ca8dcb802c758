// Building the screens' DOM without inline HTML, styles or handlers (the page's policy has
// none): h('tag', {attributes}, ...children), strings become text nodes.

export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Replace the main region's content with `nodes` and move focus to its heading (WCAG 2.4.3). */
export function show(main, ...nodes) {
  main.replaceChildren(...nodes.flat(Infinity));
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  window.scrollTo(0, 0);
}

/** Say `text` in a live region (role=alert or status): read out by screen readers. */
export function say(region, text) {
  region.textContent = '';
  if (text) region.textContent = text;
}
