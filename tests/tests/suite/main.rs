mod contract;
mod events;
mod responses;
mod sender;
mod system;
mod template;
