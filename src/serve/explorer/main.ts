/**
 * The explorer page (bundled to /explorer/app.js): two tabs — explore a model (one the server holds, or one trained
 * here) and train in this page — the API key field when the server asks for one, and the model picker.
 */
import { setApiKey } from './api-client.js';
import { byId } from './dom.js';
import { ExploreView } from './explore-view.js';
import { ModelPicker } from './model-picker.js';
import { TrainView } from './train-view.js';

const explore = new ExploreView();
const picker = new ModelPicker((source) => void explore.show(source));
const train = new TrainView((source) => picker.addPageModel(source), () => picker.retireGone());

/** Shows one tab. */
function showTab(name: 'explore' | 'train'): void {
  for (const tab of ['explore', 'train'] as const) {
    byId(`tab-${tab}`).setAttribute('aria-selected', String(tab === name));
    byId(tab).hidden = tab !== name;
  }
  if (name === 'train') void train.opened();
}

byId('tab-explore').addEventListener('click', () => showTab('explore'));
byId('tab-train').addEventListener('click', () => showTab('train'));
byId('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setApiKey(byId<HTMLInputElement>('key-input').value);
  byId<HTMLInputElement>('key-input').value = '';
  void picker.refresh();
});
if (location.hash === '#train') showTab('train');
void picker.refresh();
