mod contract;
mod events;
mod sender;
mod system;
