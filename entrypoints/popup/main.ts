import { mount } from 'svelte';
import App from './App.svelte';
import './popup.css';

mount(App, { target: document.getElementById('app')! });
