// The tool tabs: a WAI-ARIA tablist (arrow keys, Home and End move between
// tabs). Each tool is mounted once, at start, so it keeps its state while
// hidden; the element its mount() returned gets a `tool-shown` event each
// time its tab is selected (to refresh what it shows).
import { h } from './dom.js';

export interface Tool {
  id: string;
  label: string;
  mount: () => HTMLElement;
}

export function mountTabs(tools: Tool[]): HTMLElement {
  const tabs = tools.map((tool) =>
    h('button', { class: 'tab', role: 'tab', id: `tab-${tool.id}`, 'aria-controls': `tool-${tool.id}`, type: 'button' }, tool.label),
  );
  const contents = tools.map((tool) => tool.mount());
  const panels = tools.map((tool, i) =>
    h('div', { class: 'tabpanel', role: 'tabpanel', id: `tool-${tool.id}`, 'aria-labelledby': `tab-${tool.id}` }, contents[i]),
  );
  const select = (index: number, focus = false) => {
    tabs.forEach((tab, i) => {
      tab.setAttribute('aria-selected', String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      panels[i]!.hidden = i !== index;
    });
    if (focus) tabs[index]!.focus();
    contents[index]!.dispatchEvent(new CustomEvent('tool-shown'));
    history.replaceState(null, '', `#${tools[index]!.id}`);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(i));
    tab.addEventListener('keydown', (e) => {
      const to =
        e.key === 'ArrowRight' ? (i + 1) % tabs.length
        : e.key === 'ArrowLeft' ? (i - 1 + tabs.length) % tabs.length
        : e.key === 'Home' ? 0
        : e.key === 'End' ? tabs.length - 1
        : undefined;
      if (to === undefined) return;
      e.preventDefault();
      select(to, true);
    });
  });
  const fromHash = tools.findIndex((tool) => `#${tool.id}` === location.hash);
  select(fromHash >= 0 ? fromHash : 0);
  return h('div', { class: 'panel' }, h('div', { class: 'tablist', role: 'tablist', 'aria-label': 'Tools' }, ...tabs), ...panels);
}
