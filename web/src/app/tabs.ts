// The tool tabs: a WAI-ARIA tablist (arrow keys move between tabs). Each
// tool is mounted once, at start, so it keeps its state while hidden.
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
  const panels = tools.map((tool) =>
    h('div', { class: 'tabpanel', role: 'tabpanel', id: `tool-${tool.id}`, 'aria-labelledby': `tab-${tool.id}` }, tool.mount()),
  );
  const select = (index: number, focus = false) => {
    tabs.forEach((tab, i) => {
      tab.setAttribute('aria-selected', String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
      panels[i]!.hidden = i !== index;
    });
    if (focus) tabs[index]!.focus();
    panels[index]!.dispatchEvent(new CustomEvent('tool-shown'));
    history.replaceState(null, '', `#${tools[index]!.id}`);
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(i));
    tab.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (step !== 0) select((i + step + tabs.length) % tabs.length, true);
    });
  });
  const fromHash = tools.findIndex((tool) => `#${tool.id}` === location.hash);
  select(fromHash >= 0 ? fromHash : 0);
  return h('div', { class: 'panel' }, h('div', { class: 'tablist', role: 'tablist', 'aria-label': 'Tools' }, ...tabs), ...panels);
}
